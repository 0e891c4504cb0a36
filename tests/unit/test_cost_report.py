#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of make cost's fit (tools/cost-report: event_fit), on
windows built from known costs; one TAP-like line per check."""
import collections
import importlib.util
import os
import random
from importlib.machinery import SourceFileLoader

HERE = os.path.dirname(os.path.abspath(__file__))
PATH = os.path.join(HERE, '../../tools/cost-report')
spec = importlib.util.spec_from_loader('cost_report', SourceFileLoader('cost_report', PATH))
cr = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cr)
failed = 0


def check(ok, what):
    global failed
    print('%s %s' % ('ok' if ok else 'not ok', what))
    failed += not ok


def fitted(weights, counts):
    return sum(k * counts[w] for w, k in weights.items())


def event_weights(ws, ios, events, group):
    """each event coefficient's weight for each window, and the names of
    the events left out"""
    fit, dropped = cr.event_fit(ws, ios, events, group)
    weights = {key: fit['coef'][i] for key, i in fit['keys'].items()} if fit else {}
    return weights, [e for e, _ in dropped]


# six windows (three rounds of N and 2N I/Os) whose counts are 5000 +
# 300 per I/O + 371 per empty poll + 705 per extra system call
rng = random.Random(17)
ws = list(range(6))
ios = {w: 4000 * (1 + w % 2) for w in ws}
empty = {w: ios[w] * rng.randint(40, 70) + rng.randint(0, 999) for w in ws}
extra = {w: ios[w] - rng.randint(0, 1500) for w in ws}
count = {w: 5000 + 300 * ios[w] + 371 * empty[w] + 705 * extra[w] for w in ws}
one = {w: 0 for w in ws}
fit, dropped = event_weights(ws, ios, {'empty': (empty, False), 'extra': (extra, False)}, one)
check(not dropped, 'cost-report/fit keeps two events that vary')
check(abs(fitted(fit[('empty', 0)], count) - 371) < 1e-6 and
      abs(fitted(fit[('extra', 0)], count) - 705) < 1e-6,
      'cost-report/fit finds each event\'s cost')
b_empty, b_extra = fitted(fit[('empty', 0)], count), fitted(fit[('extra', 0)], count)
per = [(count[w + 1] - count[w] - b_empty * (empty[w + 1] - empty[w]) -
        b_extra * (extra[w + 1] - extra[w])) / (ios[w + 1] - ios[w]) for w in (0, 2, 4)]
check(all(abs(p - 300) < 1e-9 for p in per), 'cost-report/fit leaves the cost per I/O')
# the weights do not depend on the counts: a count that is all I/Os (or a
# constant) fits to no event cost at all
flat = {w: 7 + 11 * ios[w] for w in ws}
check(fit and all(abs(fitted(fit[e], flat)) < 1e-6 for e in fit),
      'cost-report/fit gives I/O work to no event')

# an event that is a fixed number per I/O cannot be told from the I/Os
prop = {w: 3 * ios[w] + 5 for w in ws}
fit, dropped = event_weights(ws, ios, {'empty': (empty, False), 'prop': (prop, False)}, one)
check(dropped == ['prop'] and list(fit) == [('empty', 0)],
      'cost-report/fit leaves out an event the I/Os explain')

# too few windows: five windows and two events would leave one degree of
# freedom
fit, dropped = event_weights(ws[:5], ios, {'empty': (empty, False), 'extra': (extra, False)}, one)
check(list(fit) == [('empty', 0)] and dropped == ['extra'],
      'cost-report/fit keeps two windows more than its unknowns')

# two drivers, each with its own cost per I/O and per empty poll, and
# one shared event (a tick, the kernel's: the same cost under both)
ws2 = list(range(12))
grp = {w: 'nvme' if w < 6 else 'nvmx' for w in ws2}
ios2 = {w: 4000 * (1 + w % 2) for w in ws2}
empty2 = {w: ios2[w] * rng.randint(40, 70) + rng.randint(0, 999) for w in ws2}
ticks = {w: ios2[w] * 7 // 10 + rng.randint(-300, 300) for w in ws2}
cost = {'nvme': (477, 22), 'nvmx': (445, 12)}
count2 = {w: 900 + cost[grp[w]][0] * ios2[w] + cost[grp[w]][1] * empty2[w] + 2789 * ticks[w]
          for w in ws2}
fit, dropped = event_weights(ws2, ios2, {'empty': (empty2, False), 'ticks': (ticks, True)}, grp)
check(not dropped and sorted(fit, key=str) == sorted([('empty', 'nvme'), ('empty', 'nvmx'),
                                                      ('ticks', None)], key=str) and
      abs(fitted(fit[('empty', 'nvme')], count2) - 22) < 1e-6 and
      abs(fitted(fit[('empty', 'nvmx')], count2) - 12) < 1e-6 and
      abs(fitted(fit[('ticks', None)], count2) - 2789) < 1e-6,
      'cost-report/fit finds a driver\'s own and a shared event\'s cost')

# by function: one that runs once per tick keeps its cost, one that
# follows elapsed time (noise against the ticks) is left at 0, one that
# runs per I/O only has none
fit, _ = cr.event_fit(ws2, ios2, {'ticks': (ticks, True)}, grp)
tick_fn, clock_fn, io_fn = ('tick_fn', ''), ('clock_fn', ''), ('io_fn', 'nvmx')
counts = {w: collections.Counter({tick_fn: 27 * ticks[w] + 5,
                                  clock_fn: 40 * ios2[w] + rng.randint(0, 20000),
                                  io_fn: cost[grp[w]][0] * ios2[w]}) for w in ws2}
per_fn = cr.event_costs(fit, counts)[('ticks', None)][0]
check(abs(per_fn[tick_fn] - 27) < 1e-6 and per_fn[clock_fn] == 0 and per_fn[io_fn] == 0,
      'cost-report/fit names only the functions it determines')
weights, _ = event_weights(ws2, ios2, {'ticks': (ticks, True)}, grp)
total = fitted(weights[('ticks', None)], {w: sum(counts[w].values()) for w in ws2})
check(abs(sum(per_fn.values()) - total) < 1e-6 and abs(per_fn[cr.SPREAD_FN] - (total - 27)) < 1e-6,
      'cost-report/fit gives the rest of the total to no one function')

check(cr.solve([[1, 2], [2, 4]]) is None, 'cost-report/solve refuses a singular matrix')
inv = cr.solve([[4, 1], [1, 3]])
check(inv is not None and all(abs(sum(a * b for a, b in zip(r, c)) - (i == j)) < 1e-12
                              for i, r in enumerate([[4, 1], [1, 3]])
                              for j, c in enumerate(zip(*inv))),
      'cost-report/solve inverts')
# the end: tests/run.sh counts a script that stops before it as failed
print('# end')
raise SystemExit(1 if failed else 0)
