pub mod device;
pub mod installation;
pub mod session;
