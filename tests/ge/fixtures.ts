import { parseGrammar } from '../../src/ge/index.js';

/** The textbook ambiguous, left-recursive expression grammar. */
export const EXPR_BNF = '<e> ::= <e> + <e> | x\n';

/** A trading-rule grammar of 14 rules, like the ones the search runs on. */
export const TRADING_BNF = `# Trading rule grammar used by the GE tests
<rule>   ::= <cond>
<cond>   ::= and(<cond>, <cond>) | or(<cond>, <cond>) | not(<cond>) | <cmp>
<cmp>    ::= gt(<num>, <num>) | lt(<num>, <num>) | <cross>
<cross>  ::= cross_up(<series>, <series>) | cross_down(<series>, <series>)
<num>    ::= <series> | <const> | <arith>
<arith>  ::= add(<num>, <num>) | sub(<num>, <num>) | mul(<num>, <const>)
<series> ::= <field> | <ind>
<ind>    ::= sma(<field>, <period>) | ema(<field>, <period>) | rsi(<field>, <period>)
           | atr(<period>) | lag(<series>, <lag>)
<field>  ::= close | open | high | low | volume
<period> ::= <digit><digit> | 200 | 50
<lag>    ::= 1 | 2 | 5
<const>  ::= <sign><digit>.<digit><digit>
<sign>   ::= '' | -
<digit>  ::= 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9
`;

export const exprGrammar = () => parseGrammar(EXPR_BNF, 'expr.bnf');
export const tradingGrammar = () => parseGrammar(TRADING_BNF, 'trading.bnf');
