"""The automatic evidence of each criterion, grouped by the module whose data it reads."""
