"""The bundled trained models (package data); see MODEL_CARD.md."""
