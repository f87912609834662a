// Package secret seals values, such as OAuth tokens, before they are stored, and opens
// them again. It uses AES-256-GCM; each sealed value carries its own random nonce, and
// the firm and realm it belongs to are bound in as additional data, so a sealed token
// copied onto another firm's row does not open.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the length of a key in bytes (AES-256).
const KeySize = 32

// version prefixes every sealed value, so the format or key can change later.
const version byte = 1

// Box seals and opens values with one key.
type Box struct {
	aead cipher.AEAD
}

// New returns a Box for a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secret: key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext bound to context (for example "firm:7/realm:123").
func (b *Box) Seal(plaintext []byte, context string) ([]byte, error) {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out := append([]byte{version}, nonce...)
	return b.aead.Seal(out, nonce, plaintext, []byte(context)), nil
}

// ErrCannotOpen means the value was sealed with another key, for another context, or
// has been altered.
var ErrCannotOpen = errors.New("secret: cannot open sealed value (wrong key, wrong owner, or altered)")

// Open decrypts a value sealed with Seal for the same context.
func (b *Box) Open(sealed []byte, context string) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < 1+n || sealed[0] != version {
		return nil, ErrCannotOpen
	}
	plain, err := b.aead.Open(nil, sealed[1:1+n], sealed[1+n:], []byte(context))
	if err != nil {
		return nil, ErrCannotOpen
	}
	return plain, nil
}

// LoadKey returns the key given as base64 in encoded, or else the key in file. When
// the file does not exist and generate is true, a new random key is written to it
// (mode 0600) first; processes doing so at the same time all end up with one key.
func LoadKey(encoded, file string, generate bool) ([]byte, error) {
	if encoded != "" {
		return decodeKey(encoded, "secrets.key")
	}
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) && generate {
		return generateKeyFile(file)
	}
	if err != nil {
		return nil, fmt.Errorf("secret: cannot read the key file %s (secrets.key_file): %w; set secrets.key or let qbosync create the file with secrets.generate_key=true", file, err)
	}
	return decodeKey(strings.TrimSpace(string(data)), file)
}

func decodeKey(encoded, where string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil || len(key) != KeySize {
		return nil, fmt.Errorf("secret: %s does not hold 32 bytes of base64; generate a key with `openssl rand -base64 32`", where)
	}
	return key, nil
}

// generateKeyFile writes a new key to file, unless another process gets there first,
// in which case it returns that process's key. bin/worker and bin/starter started
// together on a fresh checkout both come here. The key is written and synced to a
// temporary file, which is then hard-linked to the key file's name: the link fails if
// the name exists, and it never exists half-written, so a reader sees either no key
// file or a whole key. (Creating the key file itself with O_EXCL let the loser read
// it empty, before the winner had written its key.)
func generateKeyFile(file string) ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	dir := filepath.Dir(file)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, keyFileError(file, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(file)+".*") // mode 0600
	if err != nil {
		return nil, keyFileError(file, err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return nil, keyFileError(file, err)
	}
	err = os.Link(tmp.Name(), file)
	if errors.Is(err, os.ErrExist) {
		return LoadKey("", file, false)
	}
	if err != nil {
		return nil, keyFileError(file, err)
	}
	return key, nil
}

func keyFileError(file string, err error) error {
	return fmt.Errorf("secret: cannot create the key file %s (secrets.key_file): %w; make its folder writable, point secrets.key_file elsewhere, or set secrets.key", file, err)
}
