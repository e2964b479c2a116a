''
  it's a 'quote'
''