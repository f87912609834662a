package secret_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/qbosync/qbosync/internal/secret"
)

func newBox(t *testing.T, fill byte) *secret.Box {
	t.Helper()
	b, err := secret.New(bytes.Repeat([]byte{fill}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSealOpenRoundTrip(t *testing.T) {
	b := newBox(t, 1)
	sealed, err := b.Seal([]byte("refresh-token-value"), "firm:1/realm:9")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("refresh-token-value")) {
		t.Fatal("sealed value contains the plaintext")
	}
	got, err := b.Open(sealed, "firm:1/realm:9")
	if err != nil || string(got) != "refresh-token-value" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	again, _ := b.Seal([]byte("refresh-token-value"), "firm:1/realm:9")
	if bytes.Equal(sealed, again) {
		t.Fatal("two seals of one value are identical: the nonce is not random")
	}
}

func TestOpenRefusesOtherOwnerKeyOrTampering(t *testing.T) {
	b := newBox(t, 1)
	sealed, _ := b.Seal([]byte("tok"), "firm:1/realm:9")
	if _, err := b.Open(sealed, "firm:2/realm:9"); !errors.Is(err, secret.ErrCannotOpen) {
		t.Errorf("opened for another firm: %v", err)
	}
	if _, err := newBox(t, 2).Open(sealed, "firm:1/realm:9"); !errors.Is(err, secret.ErrCannotOpen) {
		t.Errorf("opened with another key: %v", err)
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	if _, err := b.Open(tampered, "firm:1/realm:9"); !errors.Is(err, secret.ErrCannotOpen) {
		t.Errorf("opened a tampered value: %v", err)
	}
}

func TestLoadKeyGeneratesOnceAndReuses(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sub", "secret.key")
	k1, err := secret.LoadKey("", file, true)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %v, want 0600", info.Mode().Perm())
	}
	k2, err := secret.LoadKey("", file, true)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("second load gave another key (%v)", err)
	}
}

func TestLoadKeyMissingFileWithoutGenerate(t *testing.T) {
	_, err := secret.LoadKey("", filepath.Join(t.TempDir(), "none"), false)
	if err == nil {
		t.Fatal("missing key file accepted")
	}
}
