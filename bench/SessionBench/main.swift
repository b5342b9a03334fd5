print("session-bench: not written yet")
