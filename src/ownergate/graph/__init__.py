"""Ownership graphs: columnar tables, prepared CSR arrays, and the exact reference."""
