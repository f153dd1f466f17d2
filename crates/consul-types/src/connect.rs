//! Connect: CA roots and configuration, intentions, leaf certificates.
