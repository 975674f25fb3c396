"""Pure geography: coordinate systems (WGS-84 / GCJ-02), stake marks, metric projection."""
