package x86

import (
	"errors"
	"fmt"
	"strings"
)

// This file is the project's own instruction length walk. It exists because
// the slot copy must be byte-exact: the length decides where the jmp back
// goes and the offset of a RIP-relative disp32 decides which four bytes are
// rebased. golang.org/x/arch/x86/x86asm (v0.32) gets some of that wrong
// (vzeroupper/vzeroall one byte too long; VEX/EVEX memory operands lose their
// RIP base and PCRel; endbr64 and adcx/adox come back as Op 0), so the walk
// below never consults it. x86asm is used only for the mnemonic and text.
//
// The walk understands 64-bit mode only: legacy prefixes, REX, the one-byte
// map, 0F, 0F38, 0F3A, VEX (C4/C5) and EVEX (62). It knows where operand
// bytes are, not what every opcode means: an opcode that does not exist is
// still sized by its map's layout, which is what the CPU does before it
// raises #UD.

// opMap names an opcode map. VEX and EVEX select their map with a number in
// the prefix; those numbers are the same as the values here.
type opMap uint8

const (
	map1    opMap = 0 // one-byte opcodes
	map0F   opMap = 1 // 0F xx
	map0F38 opMap = 2 // 0F 38 xx
	map0F3A opMap = 3 // 0F 3A xx
	mapE5   opMap = 5 // EVEX map 5 (AVX512-FP16)
	mapE6   opMap = 6 // EVEX map 6 (AVX512-FP16)
)

func (m opMap) String() string {
	switch m {
	case map1:
		return ""
	case map0F:
		return "0f "
	case map0F38:
		return "0f38 "
	case map0F3A:
		return "0f3a "
	}
	return fmt.Sprintf("map%d ", int(m))
}

// encKind says how the opcode was introduced.
type encKind uint8

const (
	encLegacy encKind = iota
	encVEX
	encEVEX
)

// operand layout after the opcode byte, one token per opcode in the tables
// below.
type layout uint8

const (
	lNone layout = iota // nothing follows the opcode
	lM                  // ModRM (+SIB, disp)
	lMb                 // ModRM, imm8
	lMz                 // ModRM, imm16/32 (66 without REX.W: 16)
	lMt                 // F6/F7: ModRM, then imm8/imm16/32 only for /0 and /1 (test)
	lMx                 // C7: ModRM, imm16/32; C7 F8 is xbegin rel16/32
	lMk                 // 0F 78: ModRM, two imm8 with 66 or F2 (extrq/insertq), none otherwise (vmread)
	lR                  // 0F 20-23: ModRM always a register form, whatever mod says
	lb                  // imm8
	lw                  // imm16
	lz                  // imm16/32
	lv                  // B8+r: imm16/32/64 (REX.W: 64)
	lo                  // A0-A3: moffs, 8 bytes (4 with 67)
	le                  // C8 enter: imm16, imm8
	lj                  // rel8
	lJ                  // rel16/32 (see relSize)
	lBad                // invalid in 64-bit mode; sized as the opcode alone, as objdump does
	lPfx                // a prefix: never reaches the opcode step
	lEsc                // 0F, 0F 38, 0F 3A escape: handled by the walk
	lVEX                // C4, C5, 62: VEX/EVEX in 64-bit mode
)

var layoutTokens = map[string]layout{
	"-": lNone, "M": lM, "Mb": lMb, "Mz": lMz, "Mt": lMt, "Mx": lMx, "Mk": lMk, "R": lR,
	"b": lb, "w": lw, "z": lz, "v": lv, "o": lo, "e": le, "j": lj, "J": lJ,
	"!": lBad, "p": lPfx, "esc": lEsc, "V": lVEX,
}

// Operand layout of the one-byte opcodes in 64-bit mode.
var oneByteRows = [16]string{
	/*        0   1   2   3   4   5   6   7   8   9   a   b   c   d   e   f  */
	/* 0 */ "M   M   M   M   b   z   !   !   M   M   M   M   b   z   !   esc",
	/* 1 */ "M   M   M   M   b   z   !   !   M   M   M   M   b   z   !   !",
	/* 2 */ "M   M   M   M   b   z   p   !   M   M   M   M   b   z   p   !",
	/* 3 */ "M   M   M   M   b   z   p   !   M   M   M   M   b   z   p   !",
	/* 4 */ "p   p   p   p   p   p   p   p   p   p   p   p   p   p   p   p", // REX
	/* 5 */ "-   -   -   -   -   -   -   -   -   -   -   -   -   -   -   -",
	/* 6 */ "!   !   V   M   p   p   p   p   z   Mz  b   Mb  -   -   -   -",
	/* 7 */ "j   j   j   j   j   j   j   j   j   j   j   j   j   j   j   j",
	/* 8 */ "Mb  Mz  !   Mb  M   M   M   M   M   M   M   M   M   M   M   M",
	/* 9 */ "-   -   -   -   -   -   -   -   -   -   !   -   -   -   -   -",
	/* a */ "o   o   o   o   -   -   -   -   b   z   -   -   -   -   -   -",
	/* b */ "b   b   b   b   b   b   b   b   v   v   v   v   v   v   v   v",
	/* c */ "Mb  Mb  w   -   V   V   Mb  Mx  e   -   w   -   -   b   !   -",
	/* d */ "M   M   M   M   !   !   !   -   M   M   M   M   M   M   M   M",
	/* e */ "j   j   j   j   b   b   b   b   J   J   !   j   -   -   -   -",
	/* f */ "p   -   p   p   -   -   Mt  Mt  -   -   -   -   -   -   M   M",
}

// Operand layout of the 0F xx opcodes. 0F 38 xx always has a ModRM and no
// immediate, 0F 3A xx always a ModRM and an imm8: they need no table.
var twoByteRows = [16]string{
	/*        0   1   2   3   4   5   6   7   8   9   a   b   c   d   e   f  */
	/* 0 */ "M   M   M   M   !   -   -   -   -   -   !   -   !   M   -   Mb", // 0F 0F: 3DNow!, imm8 suffix
	/* 1 */ "M   M   M   M   M   M   M   M   M   M   M   M   M   M   M   M",
	/* 2 */ "R   R   R   R   !   !   !   !   M   M   M   M   M   M   M   M",
	/* 3 */ "-   -   -   -   -   -   !   -   esc !   esc !   !   !   !   !",
	/* 4 */ "M   M   M   M   M   M   M   M   M   M   M   M   M   M   M   M",
	/* 5 */ "M   M   M   M   M   M   M   M   M   M   M   M   M   M   M   M",
	/* 6 */ "M   M   M   M   M   M   M   M   M   M   M   M   M   M   M   M",
	/* 7 */ "Mb  Mb  Mb  Mb  M   M   M   -   Mk  M   !   !   M   M   M   M",
	/* 8 */ "J   J   J   J   J   J   J   J   J   J   J   J   J   J   J   J",
	/* 9 */ "M   M   M   M   M   M   M   M   M   M   M   M   M   M   M   M",
	/* a */ "-   -   -   M   Mb  M   M   M   -   -   -   M   Mb  M   M   M", // A6/A7: VIA PadLock, ModRM-shaped
	/* b */ "M   M   M   M   M   M   M   M   M   M   Mb  M   M   M   M   M",
	/* c */ "M   M   Mb  M   Mb  Mb  Mb  M   -   -   -   -   -   -   -   -",
	/* d */ "M   M   M   M   M   M   M   M   M   M   M   M   M   M   M   M",
	/* e */ "M   M   M   M   M   M   M   M   M   M   M   M   M   M   M   M",
	/* f */ "M   M   M   M   M   M   M   M   M   M   M   M   M   M   M   M",
}

var oneByte, twoByte = parseLayout(oneByteRows), parseLayout(twoByteRows)

func parseLayout(rows [16]string) (t [256]layout) {
	for hi, row := range rows {
		if i := strings.Index(row, "//"); i >= 0 {
			row = row[:i]
		}
		f := strings.Fields(row)
		if len(f) != 16 {
			panic(fmt.Sprintf("xol: layout row %x has %d entries", hi, len(f)))
		}
		for lo, tok := range f {
			l, ok := layoutTokens[tok]
			if !ok {
				panic(fmt.Sprintf("xol: layout row %x: bad token %q", hi, tok))
			}
			t[hi<<4|lo] = l
		}
	}
	return t
}

// Errors of the walk. An instruction the walk cannot size is never copied.
var (
	ErrTruncated   = errors.New("instruction runs past the end of the code given")
	ErrTooLong     = errors.New("instruction longer than 15 bytes")
	ErrUnsupported = errors.New("unsupported encoding")
)

// MaxLen is the architectural limit on an instruction's length; longer
// instructions raise #GP.
const MaxLen = 15

// decoded is everything the walk learned about one instruction's bytes.
type decoded struct {
	length int

	p66      bool // operand-size prefix 66 present
	p67      bool // address-size prefix 67 present
	lock     bool // F0 present
	rep      byte // last of F2/F3, 0 if none: that one is the mandatory prefix
	pF2, pF3 bool
	rex      byte // effective REX (immediately before the opcode), 0 if none
	rexLost  bool // a REX was cancelled by a later legacy prefix

	kind   encKind
	vexPfx bool // VEX/EVEX came after 66/F2/F3/F0/REX: #UD
	vexL   int  // VEX.L, or EVEX L'L

	m      opMap
	opcode byte
	opOff  int

	hasModRM bool
	modrm    byte
	modrmOff int

	dispOff, dispLen int
	immOff, immLen   int
	relLen           int // for branches: size of the rel field (at immOff)

	ripDispOff int // offset of a RIP-relative disp32, or -1
	bad        bool
}

func (d *decoded) rexW() bool { return d.rex&8 != 0 }

// opsize16 reports whether the operand size is 16 bits (66 without REX.W).
func (d *decoded) opsize16() bool { return d.p66 && !d.rexW() }

func (d *decoded) mod() byte { return d.modrm >> 6 }
func (d *decoded) reg() byte { return d.modrm >> 3 & 7 }

// walk sizes the instruction at the start of code. It returns the result
// by value: on the stack, a million walks (the *ADDR check of a long
// function) allocate nothing.
func walk(code []byte) (decoded, error) {
	d := &decoded{modrmOff: -1, ripDispOff: -1, dispOff: -1, immOff: -1}
	i := 0
	byteAt := func(j int) (byte, error) {
		if j >= MaxLen {
			return 0, ErrTooLong
		}
		if j >= len(code) {
			return 0, ErrTruncated
		}
		return code[j], nil
	}

	// Legacy prefixes and REX, in any order and number. A REX counts only
	// when the opcode follows it at once; a legacy prefix after a REX
	// makes the CPU ignore that REX (objdump prints it on a line of its
	// own, the CPU does not treat it as an instruction).
prefixes:
	for {
		b, err := byteAt(i)
		if err != nil {
			return decoded{}, err
		}
		switch b {
		case 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65:
			// Segment overrides and branch hints: they travel
			// with the copy and change no length.
		case 0x66:
			d.p66 = true
		case 0x67:
			d.p67 = true
		case 0xf0:
			d.lock = true
		case 0xf2:
			d.rep, d.pF2 = b, true
		case 0xf3:
			d.rep, d.pF3 = b, true
		default:
			if b&0xf0 == 0x40 {
				d.rex = b
				i++
				continue
			}
			break prefixes
		}
		if d.rex != 0 {
			d.rex, d.rexLost = 0, true
		}
		i++
	}

	b, _ := byteAt(i)
	var lay layout
	switch {
	case b == 0x0f:
		i++
		b2, err := byteAt(i)
		if err != nil {
			return decoded{}, err
		}
		switch b2 {
		case 0x38:
			d.m, lay = map0F38, lM
			i++
		case 0x3a:
			d.m, lay = map0F3A, lMb
			i++
		default:
			d.m, lay = map0F, twoByte[b2]
		}
	case b == 0xc4 || b == 0xc5 || b == 0x62:
		n, err := d.vex(code, i, byteAt)
		if err != nil {
			return decoded{}, err
		}
		i += n
	case b == 0x8f:
		// 8F /0 is pop r/m; any other reg field is AMD's XOP prefix,
		// which we do not decode (Intel raises #UD).
		m, err := byteAt(i + 1)
		if err != nil {
			return decoded{}, err
		}
		if m>>3&7 != 0 {
			return decoded{}, fmt.Errorf("%w: XOP (8f with reg %d)", ErrUnsupported, m>>3&7)
		}
		d.m, lay = map1, lM
	default:
		d.m, lay = map1, oneByte[b]
	}
	op, err := byteAt(i)
	if err != nil {
		return decoded{}, err
	}
	d.opcode, d.opOff = op, i
	i++
	if d.kind != encLegacy {
		lay = vexLayout(d.kind, d.m, op)
	}

	// ModRM, SIB, displacement.
	switch lay {
	case lM, lMb, lMz, lMt, lMx, lMk, lR:
		m, err := byteAt(i)
		if err != nil {
			return decoded{}, err
		}
		d.hasModRM, d.modrm, d.modrmOff = true, m, i
		i++
		mod, rm := m>>6, m&7
		if lay == lR || mod == 3 {
			break
		}
		disp := 0
		switch mod {
		case 1:
			disp = 1
		case 2:
			disp = 4
		}
		if rm == 4 {
			sib, err := byteAt(i)
			if err != nil {
				return decoded{}, err
			}
			i++
			if mod == 0 && sib&7 == 5 {
				disp = 4 // no base: disp32 (absolute or index-only), never RIP-relative
			}
		} else if mod == 0 && rm == 5 {
			disp = 4
			d.ripDispOff = i // 64-bit mode: [rip+disp32] (with 67: [eip+disp32])
		}
		if disp > 0 {
			d.dispOff, d.dispLen = i, disp
			i += disp
		}
	}

	// Immediates, which may follow the displacement.
	imm := 0
	z := 4
	if d.opsize16() {
		z = 2
	}
	switch lay {
	case lMb, lb, lj:
		imm = 1
	case lw:
		imm = 2
	case lMz, lz:
		imm = z
	case lMt:
		if d.reg() < 2 {
			imm = 1
			if op == 0xf7 {
				imm = z
			}
		}
	case lMx:
		imm = z // mov r/m, imm; C7 F8 is xbegin with a rel16/32 of the same size
	case lMk:
		if d.p66 || d.pF2 {
			imm = 2
		}
	case lv:
		imm = z
		if d.rexW() {
			imm = 8
		}
	case lo:
		imm = 8
		if d.p67 {
			imm = 4
		}
	case le:
		imm = 3
	case lJ:
		// 66 on a near branch: AMD (and objdump's default) uses a 16-bit
		// operand size and rel16; Intel ignores the prefix and reads
		// rel32. We size it AMD's way and refuse such branches anyway.
		imm = z
	case lBad:
		d.bad = true
	case lPfx, lEsc, lVEX:
		// Cannot happen: prefixes and escapes were consumed above.
		return decoded{}, fmt.Errorf("%w: opcode %#02x", ErrUnsupported, op)
	}
	if imm > 0 {
		d.immOff, d.immLen = i, imm
		i += imm
	}
	if lay == lj || lay == lJ {
		d.relLen = imm
	}
	if i > MaxLen {
		return decoded{}, ErrTooLong
	}
	if i > len(code) {
		return decoded{}, ErrTruncated
	}
	d.length = i
	return *d, nil
}

// vex decodes a VEX (C4, C5) or EVEX (62) prefix at code[i] and returns its
// length. In 64-bit mode these bytes are always prefixes (LES, LDS and BOUND
// do not exist there).
func (d *decoded) vex(code []byte, i int, byteAt func(int) (byte, error)) (int, error) {
	// A VEX or EVEX after 66, F2, F3, F0 or REX raises #UD; remember it so
	// that classification refuses the instruction.
	d.vexPfx = d.p66 || d.pF2 || d.pF3 || d.lock || d.rex != 0 || d.rexLost
	switch code[i] {
	case 0xc5:
		p1, err := byteAt(i + 1)
		if err != nil {
			return 0, err
		}
		d.kind, d.m = encVEX, map0F
		d.vexL = int(p1 >> 2 & 1)
		return 2, nil
	case 0xc4:
		p1, err := byteAt(i + 1)
		if err != nil {
			return 0, err
		}
		p2, err := byteAt(i + 2)
		if err != nil {
			return 0, err
		}
		m := opMap(p1 & 0x1f)
		if m < map0F || m > map0F3A {
			return 0, fmt.Errorf("%w: VEX map %d", ErrUnsupported, m)
		}
		d.kind, d.m = encVEX, m
		d.vexL = int(p2 >> 2 & 1)
		return 3, nil
	default: // 0x62
		var p [3]byte
		for k := range p {
			b, err := byteAt(i + 1 + k)
			if err != nil {
				return 0, err
			}
			p[k] = b
		}
		m := opMap(p[0] & 7)
		if p[0]&8 != 0 || !(m == map0F || m == map0F38 || m == map0F3A || m == mapE5 || m == mapE6) {
			// Map 4 and 7 and the B4 bit belong to APX, which we
			// do not decode.
			return 0, fmt.Errorf("%w: EVEX map %d", ErrUnsupported, p[0]&0xf)
		}
		if p[1]&4 == 0 {
			return 0, fmt.Errorf("%w: EVEX with P1 bit 2 clear (APX)", ErrUnsupported)
		}
		d.kind, d.m = encEVEX, m
		d.vexL = int(p[2] >> 5 & 3)
		return 4, nil
	}
}

// vexLayout gives the operand layout of a VEX or EVEX opcode. Every one has
// a ModRM except VEX 0F 77 (vzeroupper, vzeroall); map 0F3A always has an
// imm8, map 0F has one only for the shift/shuffle/compare/insert/extract
// group below; 0F38 and the FP16 maps 5 and 6 have none.
func vexLayout(k encKind, m opMap, op byte) layout {
	switch m {
	case map0F:
		switch op {
		case 0x77:
			if k == encVEX {
				return lNone
			}
		case 0x70, 0x71, 0x72, 0x73, 0xc2, 0xc4, 0xc5, 0xc6:
			return lMb
		}
	case map0F3A:
		return lMb
	}
	return lM
}
