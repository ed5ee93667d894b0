package eval

import (
	"debug/dwarf"
	"strings"

	"github.com/ubpdbg/ubpdbg/expr"
)

// dieRef names a DIE and the compile unit it is in.
type dieRef struct {
	cu, off dwarf.Offset
}

// nameIndex maps names to the global variables and types of an image.
// It is built once per image from the top level of every compile unit
// (where C and Go put globals and named types), on the first lookup that
// needs it.
type nameIndex struct {
	globals map[string][]dieRef
	types   map[string][]dieRef
	// rtypes maps DW_AT_go_runtime_type (a type descriptor's offset from
	// the module's types section) to the DWARF type: how an interface's
	// dynamic type is found.
	rtypes map[uint64]dwarf.Offset
	// enums maps C enumerator names to their values and enum types, so
	// that `c == BLUE` works in a condition.
	enums map[string]enumRef
}

type enumRef struct {
	typ dwarf.Offset
	val int64
}

const (
	attrGoRuntimeType dwarf.Attr = 0x2904
	langGo            int64      = 0x16
)

func (ii *imgInfo) index() *nameIndex {
	ii.idxOnce.Do(func() {
		ii.idx = buildIndex(ii.dw)
	})
	return ii.idx
}

func buildIndex(dw *dwarf.Data) *nameIndex {
	ix := &nameIndex{globals: map[string][]dieRef{}, types: map[string][]dieRef{}, rtypes: map[uint64]dwarf.Offset{}, enums: map[string]enumRef{}}
	if dw == nil {
		return ix
	}
	specNames := map[dwarf.Offset]string{}
	type pending struct {
		ref  dieRef
		spec dwarf.Offset
	}
	var defs []pending
	r := dw.Reader()
	var cu dwarf.Offset
	for {
		e, err := r.Next()
		if err != nil || e == nil {
			break
		}
		if e.Tag == dwarf.TagCompileUnit || e.Tag == dwarf.TagPartialUnit {
			cu = e.Offset
			continue
		}
		if e.Tag == 0 {
			continue
		}
		name, _ := e.Val(dwarf.AttrName).(string)
		switch e.Tag {
		case dwarf.TagVariable:
			if e.Val(dwarf.AttrDeclaration) != nil {
				if name != "" {
					specNames[e.Offset] = name
				}
			} else if spec, ok := e.Val(dwarf.AttrSpecification).(dwarf.Offset); ok && name == "" {
				defs = append(defs, pending{dieRef{cu, e.Offset}, spec})
			} else if name != "" {
				// Without a location it is optimized out, which is
				// better to say than "no such variable".
				ix.globals[name] = append(ix.globals[name], dieRef{cu, e.Offset})
			}
		case dwarf.TagBaseType, dwarf.TagTypedef, dwarf.TagStructType, dwarf.TagUnionType,
			dwarf.TagEnumerationType, dwarf.TagClassType, dwarf.TagPointerType,
			dwarf.TagArrayType, dwarf.TagSubroutineType:
			if rt, ok := e.Val(attrGoRuntimeType).(uint64); ok && rt != 0 {
				ix.rtypes[rt] = e.Offset
			}
			if name != "" && e.Val(dwarf.AttrDeclaration) == nil {
				key := name
				switch e.Tag {
				case dwarf.TagStructType:
					key = tagged("struct", name)
				case dwarf.TagUnionType:
					key = tagged("union", name)
				case dwarf.TagEnumerationType:
					key = tagged("enum", name)
				case dwarf.TagClassType:
					key = tagged("class", name)
				}
				ix.types[key] = append(ix.types[key], dieRef{cu, e.Offset})
			}
		}
		if e.Tag == dwarf.TagEnumerationType && e.Children {
			readEnumerators(r, e.Offset, ix)
			continue
		}
		if e.Children {
			r.SkipChildren()
		}
	}
	for _, d := range defs {
		if n := specNames[d.spec]; n != "" {
			ix.globals[n] = append(ix.globals[n], d.ref)
		}
	}
	return ix
}

// tagged spells a C tag name as a cast writes it. Go's DWARF names its
// structs by their Go names ("main.Point"), which casts use as they are.
func tagged(tag, name string) string {
	if strings.ContainsAny(name, ".[]*<") {
		return name
	}
	return tag + " " + name
}

// readEnumerators reads the children of an enumeration type.
func readEnumerators(r *dwarf.Reader, typ dwarf.Offset, ix *nameIndex) {
	for {
		k, err := r.Next()
		if err != nil || k == nil || k.Tag == 0 {
			return
		}
		if k.Tag == dwarf.TagEnumerator {
			name, _ := k.Val(dwarf.AttrName).(string)
			if _, dup := ix.enums[name]; name != "" && !dup {
				ix.enums[name] = enumRef{typ, intAttr(k, dwarf.AttrConstValue)}
			}
		}
		if k.Children {
			r.SkipChildren()
		}
	}
}

// enumerator returns the value of a C enumerator, or nil.
func (c *Context) enumerator(name string) *value {
	if c.ii == nil || c.lang == expr.Go {
		return nil
	}
	e, ok := c.ii.index().enums[name]
	if !ok {
		return nil
	}
	t, err := c.ii.readType(e.typ)
	if err != nil {
		return nil
	}
	return c.intValue(t, uint64(e.val))
}
