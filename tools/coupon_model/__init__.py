"""The coupon plugin's model tools: its feature encoding and the scikit-learn exporter."""

from .encoding import FEATURES, ORIGINAL_COLUMNS, ORIGINAL_ORDER, encode_row, encoding_section
from .export import ExportError, export_file, write_model

__all__ = ["FEATURES", "ORIGINAL_COLUMNS", "ORIGINAL_ORDER", "ExportError", "encode_row",
           "encoding_section", "export_file", "write_model"]
