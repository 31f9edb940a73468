pub mod metrics;
pub mod requests;
pub mod sandbox;
pub mod scenarios;
pub mod tenants;
