{ shellHook = ''
  export LD_LIBRARY_PATH="${"/x"}:$LD_LIBRARY_PATH"
  echo "''${HOME}"
''; }