"""The coupon plugin's model tools: its feature encoding and the scikit-learn exporter."""

from .encoding import FEATURES, encode_row, encoding_section
from .export import ExportError, export_model, write_model

__all__ = ["FEATURES", "ExportError", "encode_row", "encoding_section", "export_model", "write_model"]
