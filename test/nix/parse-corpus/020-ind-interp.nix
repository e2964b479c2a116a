let x = 1; in ''
  x = ${toString x}
  ${''nested ${toString x}''}
''