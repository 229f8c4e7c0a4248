struct sock_filter f[] = {
	{ 0x06, 0, 0, 0x00050001 },
};
