package symbols

// SourceFrame is one source-level activation at an address: a function
// and the position in it.
type SourceFrame struct {
	Function string // "" if nothing names the code
	File     string // cleaned path, "" if there is no line information
	Line     int
	// Inlined is set when this function's code was inlined into the
	// next frame, which called it at that frame's File:Line.
	Inlined bool
}

// PCInfo describes a run-time address.
type PCInfo struct {
	PC    uint64
	Image *Image // nil if no image covers PC
	// Frames are the functions active at PC, innermost first: the
	// function whose code PC is in (perhaps an inlined copy), then each
	// function it was inlined into, ending with the out-of-line function.
	// Empty if nothing is known about PC.
	Frames []SourceFrame
}

// LookupPC describes the run-time address pc: function, file, line and
// the chain of inlined calls.
func (im *Image) LookupPC(pc uint64) PCInfo {
	return im.lookup(pc, pc)
}

// lookup describes pc using the scopes and line of at: for a return
// address the caller passes at = pc-1, so that a call at the end of a
// function or just before an inlined copy starts is attributed right.
func (im *Image) lookup(pc, at uint64) PCInfo {
	info := PCInfo{PC: pc, Image: im}
	a := at - im.Bias
	var row lineRow
	var b *block
	if u := im.unitFor(a); u != nil {
		if lt := u.lineTable(); lt != nil {
			row = lt.find(a)
		}
		b = u.innermost(a)
	}
	if b == nil {
		fr := SourceFrame{File: row.file, Line: row.line}
		if s, ok := im.symbolAt(a); ok {
			fr.Function = s.name
			if d := cxxDisplayName(s.name); d != "" {
				fr.Function = d // a C++ symbol of a library without debug information
			}
		}
		if fr.Function != "" || fr.File != "" {
			info.Frames = []SourceFrame{fr}
		}
		return info
	}
	file, line := row.file, row.line
	for f := b.function(); f != nil; f = f.parent.function() {
		fr := SourceFrame{Function: f.name, File: file, Line: line, Inlined: f.kind == inlineBlock}
		info.Frames = append(info.Frames, fr)
		if f.kind != inlineBlock || f.parent == nil {
			break
		}
		file, line = f.callFile, f.callLine
	}
	return info
}

// funcAt returns the out-of-line function block at link-time a.
func (im *Image) funcAt(a uint64) *block {
	if u := im.unitFor(a); u != nil {
		return u.outerFunc(a)
	}
	return nil
}
