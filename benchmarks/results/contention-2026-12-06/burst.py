import sys, time
on, off = float(sys.argv[1]), float(sys.argv[2])
while True:
    t = time.perf_counter() + on
    while time.perf_counter() < t: pass
    time.sleep(off)
