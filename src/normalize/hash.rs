//! SHA-256 as lowercase hex. Which values are already hashed is Meta's rule:
//! [`crate::meta::hashed`].

use sha2::{Digest, Sha256};

/// SHA-256's initial state (FIPS 180-4 §5.3.3).
const H0: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// Every byte as its two lowercase hex digits.
const HEX_PAIRS: [[u8; 2]; 256] = {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut t = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = [HEX[i >> 4], HEX[i & 0x0f]];
        i += 1;
    }
    t
};

/// SHA-256 of `bytes` as 64 lowercase hex digits, written into `out` (no allocation).
/// A value that fits one block (at most 55 bytes: every normalized customer value in
/// practice) is padded on the stack and compressed once, without the streaming
/// hasher's buffering.
pub fn sha256_hex_into(bytes: &[u8], out: &mut [u8; 64]) {
    let mut state = H0;
    if bytes.len() <= 55 {
        let mut block = [0u8; 64];
        block[..bytes.len()].copy_from_slice(bytes);
        block[bytes.len()] = 0x80;
        block[56..].copy_from_slice(&((bytes.len() as u64) * 8).to_be_bytes());
        sha2::block_api::compress256(&mut state, std::slice::from_ref(&block));
    } else {
        let digest = Sha256::digest(bytes);
        for (word, four) in state.iter_mut().zip(digest.chunks_exact(4)) {
            *word = four.iter().fold(0u32, |w, &b| (w << 8) | u32::from(b));
        }
    }
    for (eight, word) in out.chunks_exact_mut(8).zip(state) {
        for (pair, b) in eight.chunks_exact_mut(2).zip(word.to_be_bytes()) {
            pair.copy_from_slice(&HEX_PAIRS[usize::from(b)]);
        }
    }
}

/// SHA-256 of `bytes` as 64 lowercase hex digits (`sha256_hex_into`); the only
/// allocation is the returned `String`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let mut buf = [0u8; 64];
    sha256_hex_into(bytes, &mut buf);
    // Always ASCII; the fallback is unreachable but keeps this panic-free.
    std::str::from_utf8(&buf)
        .map(str::to_owned)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // Two blocks.
        let long = [b'a'; 100];
        assert_eq!(
            sha256_hex(&long),
            "2816597888e4a0d3a36b82b83316ab32680eb8f00f8cd3b904d681246d285a0e"
        );
    }

    #[test]
    fn the_one_block_path_agrees_with_the_streaming_hasher_at_every_length() {
        for len in 0..=130 {
            let input: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            let expected: String = Sha256::digest(&input)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(sha256_hex(&input), expected, "length {len}");
        }
    }
}
