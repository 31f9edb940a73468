/// Set as a request extension on requests whose body arrived encrypted with bunq's
/// application-layer encryption (`X-Bunq-Client-Encryption-*`, spec A.11) and was decrypted:
/// the response to such a request goes back encrypted too. Routes that reveal a card's PAN or
/// CVC2 require it in `strict`.
#[derive(Clone, Copy, Debug)]
pub struct ClientEncrypted;
