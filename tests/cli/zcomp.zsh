#!/bin/zsh -f
# zcomp.zsh DIR OUT LINE: the candidates zsh's completion offers for LINE
# (with DIR holding _cnet), written to OUT, one a line.
zmodload zsh/zpty || exit 1
zpty z zsh -f -i
zpty -w z "PROMPT=''; fpath=($1 \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z "compadd() { local -a __h; builtin compadd -O __h \"\$@\"; print -rl -- \$__h >> $2; builtin compadd \"\$@\" }"
zpty -w z "${3}"$'\t'
for i in {1..50}; do [[ -s $2 ]] && break; sleep 0.1; done
sleep 0.3
zpty -d z
