''
  hello
    world
''