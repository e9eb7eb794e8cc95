"""The vectorised screening engine (control and effective methods) over prepared graphs."""
