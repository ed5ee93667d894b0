package eval

import (
	"debug/dwarf"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
)

// C++ references. godwarf reads DW_TAG_reference_type and
// DW_TAG_rvalue_reference_type as an UnsupportedType that keeps no
// referenced type, so every `const T&` argument of a C++ program showed as
// "cannot show values of type". readType replaces each such node by a
// pointer type named refName (or rvalueRefName), with the referenced type
// read from the DIE; a variable or field of that type is then the object
// it refers to (read through the pointer), as in C++ itself, and the type
// prints as "T &".

const (
	refName       = "&"
	rvalueRefName = "&&"
)

// isRef reports whether t (not resolved: a typedef of a reference is not
// one for this purpose) is a C++ reference, as readType makes them.
func isRef(t godwarf.Type) bool {
	p, ok := t.(*godwarf.PtrType)
	return ok && (p.Name == refName || p.Name == rvalueRefName)
}

// fixRefs replaces the reference nodes reachable from t, once per node
// (ii.mu held). It returns what t itself becomes.
func (ii *imgInfo) fixRefs(t godwarf.Type) godwarf.Type {
	if t == nil {
		return nil
	}
	if ii.refsFixed == nil {
		ii.refsFixed = map[godwarf.Type]godwarf.Type{}
	}
	if r, ok := ii.refsFixed[t]; ok {
		return r
	}
	ii.refsFixed[t] = t // cycles: a node being fixed stands for itself
	switch tt := t.(type) {
	case *godwarf.UnsupportedType:
		if tt.Tag != dwarf.TagReferenceType && tt.Tag != dwarf.TagRvalueReferenceType {
			return t
		}
		p := &godwarf.PtrType{CommonType: tt.CommonType}
		p.Name = refName
		if tt.Tag == dwarf.TagRvalueReferenceType {
			p.Name = rvalueRefName
		}
		if p.ByteSize == 0 {
			p.ByteSize = 8
		}
		p.Type = &godwarf.VoidType{}
		r := ii.dw.Reader()
		r.Seek(tt.Offset)
		if e, err := r.Next(); err == nil && e != nil {
			if off, ok := e.Val(dwarf.AttrType).(dwarf.Offset); ok {
				if target, err := godwarf.ReadType(ii.dw, 0, off, ii.typeCache); err == nil {
					p.Type = target
				}
			}
		}
		ii.refsFixed[t] = p
		ii.refsFixed[p] = p
		ii.typeCache[tt.Offset] = p
		p.Type = ii.fixRefs(p.Type)
		return p
	case *godwarf.PtrType:
		tt.Type = ii.fixRefs(tt.Type)
	case *godwarf.QualType:
		tt.Type = ii.fixRefs(tt.Type)
	case *godwarf.TypedefType:
		tt.Type = ii.fixRefs(tt.Type)
	case *godwarf.ArrayType:
		tt.Type = ii.fixRefs(tt.Type)
	case *godwarf.StructType:
		for _, f := range tt.Field {
			f.Type = ii.fixRefs(f.Type)
		}
	case *godwarf.FuncType:
		tt.ReturnType = ii.fixRefs(tt.ReturnType)
		for i, pt := range tt.ParamType {
			tt.ParamType[i] = ii.fixRefs(pt)
		}
	}
	return t
}

// throughRef is the object a reference-typed value refers to; any other
// value is returned as it is.
func (c *Context) throughRef(v *value) (*value, error) {
	if v == nil || !isRef(v.typ) {
		return v, nil
	}
	target := v.typ.(*godwarf.PtrType).Type
	if v.kind == lNone {
		r := lostValue(target)
		r.expr = v.expr
		return r, nil
	}
	p, err := c.scalarOf(v)
	if err != nil {
		return nil, err
	}
	if p.bits == 0 {
		return nil, errorf("%s is a null reference", v.expr)
	}
	r := memValue(target, p.bits)
	r.expr = v.expr
	return r, nil
}
