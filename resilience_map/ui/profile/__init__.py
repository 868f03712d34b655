"""The municipality profile: everything the hub knows about the selected unit, editable in place."""
