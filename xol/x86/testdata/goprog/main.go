// Command goprog is built by the xol tests only as a corpus of Go-compiled
// and Go-assembler instructions (crypto and bytealg assembly use SSE, AVX2,
// SHA-NI, AES-NI, PCLMUL) for the length check against objdump.
package main

import (
	"crypto/aes"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash/crc32"
	"math"
	"math/big"
	"os"
	"strings"
)

func main() {
	sum := sha256.Sum256([]byte(strings.Repeat("x", len(os.Args))))
	sum5 := sha512.Sum512(sum[:])
	blk, _ := aes.NewCipher(sum[:16])
	var out [16]byte
	blk.Encrypt(out[:], sum5[:16])
	n := new(big.Int).Exp(big.NewInt(3), big.NewInt(int64(len(os.Args)+100)), nil)
	fmt.Println(out, n, crc32.ChecksumIEEE(sum5[:]), math.FMA(1.5, 2.5, float64(len(os.Args))))
}
