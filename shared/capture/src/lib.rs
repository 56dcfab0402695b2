//! Data Capture record parsing (owner fills in).
