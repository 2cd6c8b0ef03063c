num_pes: 4096
l1_size_cstr: 512
l2_size_cstr: 10485760
noc_bw_cstr: 1024
offchip_bw_cstr: 65536
