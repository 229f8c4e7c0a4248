a: b: ld [args_hi[2]]
	jset #0x80, a, b
	ldxb 4*([14]&0xf)
	ld [x+4]
	mod x
	st M[15]
	.insn 0x06, 0, 0, 0x7ffc0001
	ret #TRAP(0x42)
