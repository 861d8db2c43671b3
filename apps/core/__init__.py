"""What every app shares: money, the clock and periods, labels and colours (no models)."""
