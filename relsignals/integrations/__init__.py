"""Optional integrations (spaCy component, scikit-learn helpers)."""
