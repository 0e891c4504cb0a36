#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""qmp.py SOCKET HMP-COMMAND...: run human monitor commands through a QEMU
QMP socket and print their output.  Exit status 1 when QEMU reports an error.

qmp.py --freeze-report KALLSYMS MODULES SOCKET prints, for every vCPU, the
instruction pointer and the kernel symbols found on its stack, for a guest
that stopped running: KALLSYMS is the guest's text symbols (/proc/kallsyms
lines), MODULES its /proc/modules; addresses in a module are shown as
module+offset."""
import json
import re
import socket
import sys
import time


class Qmp:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(20)
        self.sock.connect(path)
        self.buf = b''
        self.recv()                     # greeting
        self.call('qmp_capabilities')

    def recv(self):
        while b'\n' not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError('QMP socket closed')
            self.buf += data
        line, self.buf = self.buf.split(b'\n', 1)
        return json.loads(line)

    def call(self, cmd, **args):
        self.sock.sendall(json.dumps({'execute': cmd, 'arguments': args}).encode() + b'\n')
        while True:
            msg = self.recv()
            if 'return' in msg:
                return msg['return']
            if 'error' in msg:
                raise RuntimeError(msg['error'].get('desc', str(msg['error'])))

    def hmp(self, line):
        return self.call('human-monitor-command', **{'command-line': line})


def load_symbols(kallsyms, modules):
    syms = []
    try:
        with open(kallsyms) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and parts[1] in 'tT' and len(parts) == 3:
                    syms.append((int(parts[0], 16), parts[2]))
    except OSError:
        pass
    # A module's core (text first) as one symbol; its end as a stop.
    try:
        with open(modules) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 6:
                    base = int(parts[5], 16)
                    syms.append((base, '[' + parts[0] + ']'))
                    syms.append((base + int(parts[1]), '_end_of_module'))
    except (OSError, ValueError):
        pass
    syms.sort()
    return syms


def symbolize(syms, addr):
    lo, hi = 0, len(syms)
    while lo < hi:
        mid = (lo + hi) // 2
        if syms[mid][0] <= addr:
            lo = mid + 1
        else:
            hi = mid
    if lo == 0 or lo == len(syms):
        return None
    base, name = syms[lo - 1]
    if name == '_end_of_module' or addr - base > 0x100000:
        return None
    return '%s+0x%x' % (name, addr - base)


def freeze_report(q, kallsyms, modules):
    syms = load_symbols(kallsyms, modules)
    # a few samples first: a vCPU that moves is slow, one that does not is stuck
    for n in range(5):
        regs = q.hmp('info registers -a')
        for block in regs.split('CPU#')[1:]:
            rip = re.search(r'RIP=([0-9a-f]+)', block).group(1)
            rcx = re.search(r'RCX=([0-9a-f]+)', block).group(1)
            print('sample %d cpu %s: rip %s rcx %s %s' % (n, block.split()[0], rip, rcx,
                  symbolize(syms, int(rip, 16)) or ''))
        time.sleep(0.5)
    print(regs.strip())
    for block in regs.split('CPU#')[1:]:
        cpu = block.split()[0]
        rip = re.search(r'RIP=([0-9a-f]+)', block).group(1)
        rsp = re.search(r'RSP=([0-9a-f]+)', block).group(1)
        print('cpu %s: rip %s %s' % (cpu, rip, symbolize(syms, int(rip, 16)) or '(not kernel text)'))
        q.hmp('cpu %s' % cpu)
        words = re.findall(r'0x([0-9a-f]{16})', q.hmp('x/256gx 0x%s' % rsp))
        seen = []
        for w in words:
            s = symbolize(syms, int(w, 16))
            if s and not s.startswith('_stext') and s not in seen:
                seen.append(s)
        print('cpu %s: stack symbols: %s' % (cpu, ' '.join(seen[:40]) or '(none)'))


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    if args[0] == '--freeze-report':
        if len(args) != 4:
            print(__doc__, file=sys.stderr)
            return 2
        q = Qmp(args[3])
        freeze_report(q, args[1], args[2])
        return 0
    q = Qmp(args[0])
    for line in args[1:]:
        out = q.hmp(line)
        if out:
            sys.stdout.write(out if out.endswith('\n') else out + '\n')
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except (OSError, EOFError, RuntimeError) as e:
        print('qmp.py: %s' % e, file=sys.stderr)
        sys.exit(1)
