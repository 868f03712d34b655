"""Editors for every record type; each saves one undoable step through the session."""

from resilience_map.ui.forms.activity_form import ActivityForm
from resilience_map.ui.forms.base import RecordForm
from resilience_map.ui.forms.indicator_form import IndicatorForm
from resilience_map.ui.forms.indicator_value_form import IndicatorValueForm
from resilience_map.ui.forms.note_form import NoteForm
from resilience_map.ui.forms.structure_form import StructureForm
from resilience_map.ui.forms.wave_form import WaveForm

__all__ = [
    "ActivityForm", "IndicatorForm", "IndicatorValueForm", "NoteForm", "RecordForm", "StructureForm",
    "WaveForm",
]
