//! Placeholder: the EPUB backend (being written).
