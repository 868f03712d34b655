"""Qt-free domain model: records, enumerations, validation and name handling."""
