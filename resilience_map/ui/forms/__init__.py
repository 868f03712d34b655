"""Editors for every record type; each saves through the undoable ProjectEditor."""

from resilience_map.ui.forms.activity_form import ActivityForm
from resilience_map.ui.forms.base import RecordForm
from resilience_map.ui.forms.indicator_form import IndicatorForm
from resilience_map.ui.forms.indicator_value_form import IndicatorValueForm
from resilience_map.ui.forms.municipality_picker import MunicipalityMultiPicker, MunicipalityPicker
from resilience_map.ui.forms.note_form import NoteForm
from resilience_map.ui.forms.structure_form import StructureForm
from resilience_map.ui.forms.wave_form import WaveForm

__all__ = [
    "ActivityForm", "IndicatorForm", "IndicatorValueForm", "MunicipalityMultiPicker",
    "MunicipalityPicker", "NoteForm", "RecordForm", "StructureForm", "WaveForm",
]
