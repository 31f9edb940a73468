pub mod bunq;
pub mod operator;
