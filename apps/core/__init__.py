"""What every app shares: labels and colours tied to the enums (no models, no app config)."""
