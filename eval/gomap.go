package eval

import (
	"errors"
	"fmt"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
)

// Go maps. We handle the swiss-table layout of Go 1.24 and later (the
// only one in Go 1.26), reading every field from the DWARF the linker
// writes for each map type:
//
//	map[K]V           typedef of *map<K,V>
//	map<K,V>          used, dirPtr (**table<K,V>), dirLen, ...
//	table<K,V>        used, capacity, ..., groups (groupReference<K,V>)
//	groupReference    data (*group), lengthMask (groups - 1)
//	group             ctrl (8 control bytes), slots ([8]struct{key; elem})
//
// dirLen == 0 means a small map: dirPtr points straight at one group.
// Otherwise dirPtr is an array of dirLen table pointers, where several
// entries may share a table. A slot is full when its control byte has the
// high bit clear. The older layout of Go 1.23 and before (hmap with
// "buckets") is in gomap_old.go.

// mapEntry is one key/value pair.
type mapEntry struct {
	key, val *value
}

const maxMapEntries = 1 << 20

// mapHeader reads the map<K,V> struct a map value points to; nil for a
// nil map.
func (c *Context) mapHeader(v *value) (*value, error) {
	var pt godwarf.Type = v.typ
	for i := 0; i < 8; i++ {
		switch t := pt.(type) {
		case *godwarf.MapType:
			pt = t.Type
			continue
		case *godwarf.TypedefType:
			pt = t.Type
			continue
		}
		break
	}
	p, ok := pt.(*godwarf.PtrType)
	if !ok {
		return nil, fmt.Errorf("map type %s is not a pointer to the runtime's map", typeName(v.typ, c.lang))
	}
	s, err := c.scalarOf(&value{typ: p, kind: v.kind, addr: v.addr, buf: v.buf, lost: v.lost, reg: -1})
	if err != nil {
		return nil, err
	}
	if s.bits == 0 {
		return nil, nil
	}
	return memValue(p.Type, s.bits), nil
}

// mapLen returns the number of entries.
func (c *Context) mapLen(v *value) (int64, error) {
	h, err := c.mapHeader(v)
	if err != nil || h == nil {
		return 0, err
	}
	if isOldMap(c, h) {
		n, err := c.uintField(h, "count")
		return int64(n), err
	}
	n, err := c.uintField(h, "used")
	return int64(n), err
}

// mapEntries walks the map and calls fn for each entry in table order
// until fn returns false.
func (c *Context) mapEntries(v *value, fn func(mapEntry) bool) error {
	h, err := c.mapHeader(v)
	if err != nil || h == nil {
		return err
	}
	if isOldMap(c, h) {
		return c.oldMapEntries(v.typ, h, fn)
	}
	dirLen, err := c.uintField(h, "dirLen")
	if err != nil {
		return err
	}
	dirPtrV, err := c.field(h, "dirPtr")
	if err != nil {
		return err
	}
	dirPtr, err := c.scalarOf(dirPtrV)
	if err != nil {
		return err
	}
	// **table -> *table -> table
	tblPtrT, _ := resolve(dirPtrV.typ).(*godwarf.PtrType)
	if tblPtrT == nil {
		return fmt.Errorf("map dirPtr is not a pointer")
	}
	tblT, _ := resolve(tblPtrT.Type).(*godwarf.PtrType)
	if tblT == nil {
		return fmt.Errorf("map dirPtr is not a pointer to table pointers")
	}
	// The group type, via table.groups.data.
	groupsF, ok := c.findField(memValue(tblT.Type, 0), "groups", 0)
	if !ok {
		return fmt.Errorf("map table has no groups field")
	}
	dataF, ok := c.findField(groupsF, "data", 0)
	if !ok {
		return fmt.Errorf("map groups have no data field")
	}
	gp, _ := resolve(dataF.typ).(*godwarf.PtrType)
	if gp == nil {
		return fmt.Errorf("map group pointer has an unexpected type")
	}
	w := &mapWalker{c: c, group: gp.Type, fn: fn}
	w.keyT, w.valT = mapKeyElem(v.typ)
	if dirLen == 0 {
		if dirPtr.bits == 0 {
			return nil
		}
		_, err := w.walkGroup(dirPtr.bits)
		return err
	}
	if dirLen > 1<<24 {
		return fmt.Errorf("corrupt map directory length %d", dirLen)
	}
	seen := map[uint64]bool{}
	for i := uint64(0); i < dirLen; i++ {
		tp, err := c.read64(dirPtr.bits + 8*i)
		if err != nil {
			return err
		}
		if tp == 0 || seen[tp] {
			continue
		}
		seen[tp] = true
		tbl := memValue(tblT.Type, tp)
		g, ok := c.findField(tbl, "groups", 0)
		if !ok {
			return fmt.Errorf("map table has no groups")
		}
		data, err := c.uintField(g, "data")
		if err != nil {
			return err
		}
		mask, err := c.uintField(g, "lengthMask")
		if err != nil {
			return err
		}
		if mask > 1<<24 {
			return fmt.Errorf("corrupt map table with %d groups", mask+1)
		}
		gsize := uint64(sizeOf(gp.Type))
		for j := uint64(0); j <= mask; j++ {
			more, err := w.walkGroup(data + j*gsize)
			if err != nil || !more {
				return err
			}
		}
	}
	return nil
}

type mapWalker struct {
	c     *Context
	group godwarf.Type
	fn    func(mapEntry) bool
	n     int
	// keyT and valT are the map type's key and value types (nil:
	// take the slots as they are).
	keyT, valT godwarf.Type
}

// walkGroup visits the full slots of one group.
func (w *mapWalker) walkGroup(addr uint64) (bool, error) {
	g := memValue(w.group, addr)
	ctrl, err := w.c.uintField(g, "ctrl")
	if err != nil {
		return false, err
	}
	slots, err := w.c.field(g, "slots")
	if err != nil {
		return false, err
	}
	at, ok := resolve(slots.typ).(*godwarf.ArrayType)
	if !ok {
		return false, fmt.Errorf("map group slots are not an array")
	}
	for i := int64(0); i < at.Count && i < 8; i++ {
		if byte(ctrl>>(8*i))&0x80 != 0 {
			continue // empty or deleted
		}
		slot, err := w.c.element(slots, i, nil)
		if err != nil {
			return false, err
		}
		k, err1 := w.c.field(slot, "key")
		e, err2 := w.c.field(slot, "elem")
		if err1 != nil || err2 != nil {
			return false, errors.Join(err1, err2)
		}
		if k, err = w.c.mapSlot(k, w.keyT); err != nil {
			return false, err
		}
		if e, err = w.c.mapSlot(e, w.valT); err != nil {
			return false, err
		}
		w.n++
		if w.n > maxMapEntries || !w.fn(mapEntry{k, e}) {
			return false, nil
		}
	}
	return true, nil
}
