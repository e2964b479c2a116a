[
  1 # one
  /* two */ 2
  # 3
]