package eval

import (
	"fmt"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
)

// Go maps before Go 1.24: a runtime.hmap (the linker's hash<K,V> type)
//
//	hash<K,V>    count, flags, B, ..., buckets (*bucket<K,V>), oldbuckets
//	bucket<K,V>  tophash ([8]uint8), keys ([8]K), values ([8]V), overflow
//
// with 1<<B buckets, each followed by its chain of overflow buckets. A
// slot is full when its tophash is at least 5 (minTopHash); 0 to 4 mark
// empty slots and, in the old buckets of a map that is growing, entries
// already moved to the new ones. So while a map grows, walking both the
// buckets and the old buckets and taking the full slots sees every entry
// once. Keys or values bigger than 128 bytes are stored through pointers,
// which the bucket's DWARF shows (keys [8]*K): those are followed.

const oldMapMinTopHash = 5

func isOldMap(c *Context, h *value) bool {
	_, ok := c.findField(h, "buckets", 0)
	return ok
}

func (c *Context) oldMapEntries(mt godwarf.Type, h *value, fn func(mapEntry) bool) error {
	b, err := c.uintField(h, "B")
	if err != nil {
		return err
	}
	if b > 40 {
		return fmt.Errorf("corrupt map: B = %d", b)
	}
	flags, err := c.uintField(h, "flags")
	if err != nil {
		return err
	}
	bucketsV, err := c.field(h, "buckets")
	if err != nil {
		return err
	}
	bp, _ := resolve(bucketsV.typ).(*godwarf.PtrType)
	if bp == nil || classOf(bp.Type) != clsStruct {
		return fmt.Errorf("map buckets have an unexpected type %s", typeName(bucketsV.typ, c.lang))
	}
	w := &oldMapWalker{c: c, bucket: bp.Type, fn: fn, size: uint64(sizeOf(bp.Type))}
	w.keyT, w.valT = mapKeyElem(mt)
	buckets, err := c.uintField(h, "buckets")
	if err != nil {
		return err
	}
	n := uint64(1) << b
	if buckets != 0 {
		for i := uint64(0); i < n; i++ {
			if more, err := w.walkChain(buckets + i*w.size); err != nil || !more {
				return err
			}
		}
	}
	old, err := c.uintField(h, "oldbuckets")
	if err != nil || old == 0 {
		return err
	}
	const sameSizeGrow = 8
	if flags&sameSizeGrow == 0 {
		n /= 2
	}
	for i := uint64(0); i < n; i++ {
		if more, err := w.walkChain(old + i*w.size); err != nil || !more {
			return err
		}
	}
	return nil
}

type oldMapWalker struct {
	c      *Context
	bucket godwarf.Type
	size   uint64
	fn     func(mapEntry) bool
	n      int
	// keyT and valT are the map type's key and value types, if it
	// says (nil: take the bucket's slots as they are).
	keyT, valT godwarf.Type
}

// walkChain visits the full slots of a bucket and its overflow buckets.
func (w *oldMapWalker) walkChain(addr uint64) (bool, error) {
	c := w.c
	for hops := 0; addr != 0; hops++ {
		if hops > 1<<16 {
			return false, fmt.Errorf("map bucket chain too long (corrupt map?)")
		}
		bk := memValue(w.bucket, addr)
		top, err := c.field(bk, "tophash")
		if err != nil {
			return false, err
		}
		tb, err := c.bytes(top)
		if err != nil {
			return false, err
		}
		keys, err1 := c.field(bk, "keys")
		vals, err2 := c.field(bk, "values")
		if err1 != nil || err2 != nil {
			return false, fmt.Errorf("map bucket without keys or values")
		}
		for i := 0; i < len(tb) && i < 8; i++ {
			if tb[i] < oldMapMinTopHash {
				continue
			}
			k, err := w.slot(keys, i, w.keyT)
			if err != nil {
				return false, err
			}
			v, err := w.slot(vals, i, w.valT)
			if err != nil {
				return false, err
			}
			w.n++
			if w.n > maxMapEntries || !w.fn(mapEntry{k, v}) {
				return false, nil
			}
		}
		if addr, err = c.uintField(bk, "overflow"); err != nil {
			return false, err
		}
	}
	return true, nil
}

// slot is element i of a bucket's keys or values, through the pointer
// when the map stores them indirectly.
func (w *oldMapWalker) slot(arr *value, i int, want godwarf.Type) (*value, error) {
	e, err := w.c.element(arr, int64(i), nil)
	if err != nil {
		return nil, err
	}
	return w.c.mapSlot(e, want)
}

// mapKeyElem returns a map type's key and value types (nil if the type
// does not say).
func mapKeyElem(mt godwarf.Type) (k, v godwarf.Type) {
	for i := 0; i < 8 && mt != nil; i++ {
		if m, ok := mt.(*godwarf.MapType); ok {
			return m.KeyType, m.ElemType
		}
		td, ok := mt.(*godwarf.TypedefType)
		if !ok {
			break
		}
		mt = td.Type
	}
	return nil, nil
}

// mapSlot follows a key or value the map stores through a pointer
// (both layouts do so for those over 128 bytes): the slot is a *T where
// the map's type says T.
func (c *Context) mapSlot(e *value, want godwarf.Type) (*value, error) {
	if want != nil && classOf(e.typ) == clsPtr && classOf(want) != clsPtr {
		return c.deref(e, nil)
	}
	return e, nil
}
