pub mod admin;
pub mod device;
pub mod installation;
pub mod oauth;
pub mod provision;
pub mod session;
pub mod user;
pub mod webhook;
