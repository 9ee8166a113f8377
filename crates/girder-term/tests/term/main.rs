//! Integration tests of girder-term, one module per concept.

mod serde_mapping;
