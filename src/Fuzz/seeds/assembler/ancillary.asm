ld #len
neg
tax
txa
ret a
