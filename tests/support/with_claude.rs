//! [`WithClaude`]: points a [`Test`] at a [`FakeClaude`].

use super::Test;
use super::claude::FakeClaude;

/// Points a [`Test`] at a [`FakeClaude`].
pub trait WithClaude {
    /// Sets `ANTHROPIC_BASE_URL` to the fake and `ANTHROPIC_API_KEY` to
    /// [`FAKE_KEY`](super::claude::FAKE_KEY).
    fn claude(self, fake: &FakeClaude) -> Self;
}

impl WithClaude for Test {
    fn claude(self, fake: &FakeClaude) -> Self {
        let [(k1, v1), (k2, v2)] = fake.env();
        self.env(k1, &v1).env(k2, &v2)
    }
}
