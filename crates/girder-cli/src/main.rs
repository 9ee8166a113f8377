//! The `girder` command.
#![forbid(unsafe_code)]
fn main() {}
