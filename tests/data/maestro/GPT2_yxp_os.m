// GPT-2 small (seq_len 128): one transformer block's products and the LM head, per head for
// the attention products. A[M x Kr] . B[Kr x N] written as CONV: K = N, C = Kr, R = S = 1,
// Y = M, X = 1. Dataflow directives as in MAESTRO's Resnet50_yxp_os.m.
Network GPT2 {
	Layer C_ATTN {
		Type: CONV
		Stride { X: 1, Y: 1 }
		Dimensions { K: 2304, C: 768, R: 1, S: 1, Y: 128, X: 1 }
		Dataflow {
			TemporalMap(1,1) K;
			TemporalMap(1,1) C;
			SpatialMap(Sz(R), 1) Y;
			TemporalMap(8,8) X;
			Cluster(8, P);
			SpatialMap(Sz(S), 1) X;
			TemporalMap(Sz(R), Sz(R)) R;
			TemporalMap(Sz(R), Sz(R)) S;
		}
	}
	Layer ATTN_SCORES {
		Type: CONV
		Stride { X: 1, Y: 1 }
		Dimensions { K: 128, C: 64, R: 1, S: 1, Y: 128, X: 1 }
		Dataflow {
			TemporalMap(1,1) K;
			TemporalMap(1,1) C;
			SpatialMap(Sz(R), 1) Y;
			TemporalMap(8,8) X;
			Cluster(8, P);
			SpatialMap(Sz(S), 1) X;
			TemporalMap(Sz(R), Sz(R)) R;
			TemporalMap(Sz(R), Sz(R)) S;
		}
	}
	Layer ATTN_CONTEXT {
		Type: CONV
		Stride { X: 1, Y: 1 }
		Dimensions { K: 64, C: 128, R: 1, S: 1, Y: 128, X: 1 }
		Dataflow {
			TemporalMap(1,1) K;
			TemporalMap(1,1) C;
			SpatialMap(Sz(R), 1) Y;
			TemporalMap(8,8) X;
			Cluster(8, P);
			SpatialMap(Sz(S), 1) X;
			TemporalMap(Sz(R), Sz(R)) R;
			TemporalMap(Sz(R), Sz(R)) S;
		}
	}
	Layer ATTN_C_PROJ {
		Type: CONV
		Stride { X: 1, Y: 1 }
		Dimensions { K: 768, C: 768, R: 1, S: 1, Y: 128, X: 1 }
		Dataflow {
			TemporalMap(1,1) K;
			TemporalMap(1,1) C;
			SpatialMap(Sz(R), 1) Y;
			TemporalMap(8,8) X;
			Cluster(8, P);
			SpatialMap(Sz(S), 1) X;
			TemporalMap(Sz(R), Sz(R)) R;
			TemporalMap(Sz(R), Sz(R)) S;
		}
	}
	Layer MLP_C_FC {
		Type: CONV
		Stride { X: 1, Y: 1 }
		Dimensions { K: 3072, C: 768, R: 1, S: 1, Y: 128, X: 1 }
		Dataflow {
			TemporalMap(1,1) K;
			TemporalMap(1,1) C;
			SpatialMap(Sz(R), 1) Y;
			TemporalMap(8,8) X;
			Cluster(8, P);
			SpatialMap(Sz(S), 1) X;
			TemporalMap(Sz(R), Sz(R)) R;
			TemporalMap(Sz(R), Sz(R)) S;
		}
	}
	Layer MLP_C_PROJ {
		Type: CONV
		Stride { X: 1, Y: 1 }
		Dimensions { K: 768, C: 3072, R: 1, S: 1, Y: 128, X: 1 }
		Dataflow {
			TemporalMap(1,1) K;
			TemporalMap(1,1) C;
			SpatialMap(Sz(R), 1) Y;
			TemporalMap(8,8) X;
			Cluster(8, P);
			SpatialMap(Sz(S), 1) X;
			TemporalMap(Sz(R), Sz(R)) R;
			TemporalMap(Sz(R), Sz(R)) S;
		}
	}
	Layer LM_HEAD {
		Type: CONV
		Stride { X: 1, Y: 1 }
		Dimensions { K: 50257, C: 768, R: 1, S: 1, Y: 128, X: 1 }
		Dataflow {
			TemporalMap(1,1) K;
			TemporalMap(1,1) C;
			SpatialMap(Sz(R), 1) Y;
			TemporalMap(8,8) X;
			Cluster(8, P);
			SpatialMap(Sz(S), 1) X;
			TemporalMap(Sz(R), Sz(R)) R;
			TemporalMap(Sz(R), Sz(R)) S;
		}
	}
}
