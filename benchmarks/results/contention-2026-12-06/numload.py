import numpy as np
a=np.ones(64*1024*1024//8); b=np.empty_like(a)
while True: np.copyto(b,a); np.copyto(a,b)
