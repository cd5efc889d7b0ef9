// Pins the QEMU command line the qemu driver builds, so any change to it is a visible diff.
import { describe, expect, it } from 'vitest';
import { buildQemuArgs, escapeOptionValue, kernelCommandLine, type LaunchDevice } from '../../server/engine/drivers/hypervisor/qemu/args.js';
import { AGENT_PORT, SHARED, testLaunch } from '../helpers/qemu-launch.js';

const SHARED_VIRTIOFS: LaunchDevice = { ...SHARED, fs: 'virtio-fs', socketPath: '/run/pv/p1/vfs0.sock' };
const launch = testLaunch;

/** One "-option value" per line, so a snapshot diff points at the option that changed. */
function optionLines(args: string[]): string {
  const lines: string[] = [];
  for (const arg of args) {
    if (arg.startsWith('-') || lines.length === 0) lines.push(arg);
    else lines[lines.length - 1] += ` ${arg}`;
  }
  return `\n${lines.join('\n')}\n`;
}

describe('buildQemuArgs', () => {
  it('builds the default TCG pod command line', () => {
    expect(optionLines(buildQemuArgs(launch()))).toMatchInlineSnapshot(`
      "
      -name pod-p1
      -uuid 00000000-0000-4000-8000-000000000001
      -machine pc
      -accel tcg,tb-size=128
      -cpu max
      -qmp unix:/run/pv/p1/qmp.sock,server=on,wait=off
      -m 256M
      -fsdev local,id=fs0,path=/run/pv/p1/shared,security_model=none,multidevs=remap
      -device virtio-9p-pci,fsdev=fs0,mount_tag=kataShared
      -drive file=/g/image.erofs,if=none,id=image,format=raw,readonly=on
      -device virtio-blk-pci,drive=image
      -device virtio-serial-pci,id=vser0
      -chardev socket,id=port0,path=/run/pv/p1/agent.channel.0.sock,server=on,wait=off
      -device virtserialport,bus=vser0.0,chardev=port0,name=agent.channel.0,id=port0dev
      -chardev socket,id=console,path=/run/pv/p1/console.sock,server=on,wait=off,logfile=/run/pv/p1/console.log
      -serial chardev:console
      -rtc base=utc,driftfix=slew
      -vga none
      -no-user-config
      -nodefaults
      -display none
      -no-reboot
      -kernel /g/vmlinux
      -initrd /g/initrd.img
      -append console=ttyS0 panic=1 no_timer_check rcupdate.rcu_expedited=1 cryptomgr.notests i8042.direct=1 i8042.dumbkbd=1 i8042.nopnp=1 i8042.noaux=1 net.ifnames=0 pci=lastbus=0 iommu=off loglevel=4 podvisor.node_flags=--no-sparkplug podvisor.hostname=web-1
      -smp 1,cores=1,threads=1,sockets=1,maxcpus=1
      "
    `);
  });

  it('uses KVM with the host CPU and the PIT tick policy when the probe allowed it', () => {
    const args = buildQemuArgs(launch({ accelerator: 'kvm' }));
    expect(args.slice(4, 10)).toMatchInlineSnapshot(`
      [
        "-machine",
        "pc",
        "-accel",
        "kvm",
        "-cpu",
        "host",
      ]
    `);
    expect(args.join(' ')).toContain('-global kvm-pit.lost_tick_policy=discard');
    expect(kernelCommandLine(launch({ accelerator: 'kvm' }))).toContain('tsc=reliable');
  });

  it('maps the optional HypervisorConfig fields', () => {
    const args = buildQemuArgs(
      launch(
        { vcpus: 2, memoryMiB: 512, hugetlbfsPath: '/dev/hugepages', devices: [
          AGENT_PORT,
          SHARED,
          { kind: 'share', tag: 'a-very-long-volume-tag-of-31-ch', hostPath: '/data/with,comma', readOnly: true, fs: 'virtio-9p' },
        ] },
        {
          debug: true,
          hugePages: true,
          memPrealloc: true,
          realtime: true,
          mlock: true,
          machineAccelerators: 'kernel_irqchip=on',
          hypervisorMachineType: 'q35',
          defaultMaxVcpus: 4,
          firmwarePath: '/fw/bios.bin',
          kernelParams: [{ key: 'systemd.unit', value: 'rescue' }, { key: 'nosmt', value: '' }],
          hypervisorParams: [{ key: 'no-hpet', value: '' }, { key: 'k', value: 'en-us' }],
        },
      ),
    );
    expect(optionLines(args)).toMatchInlineSnapshot(`
      "
      -name pod-p1
      -uuid 00000000-0000-4000-8000-000000000001
      -machine q35,memory-backend=pod-ram,kernel_irqchip=on
      -accel tcg,tb-size=128
      -cpu max
      -qmp unix:/run/pv/p1/qmp.sock,server=on,wait=off
      -m 512M
      -object memory-backend-file,id=pod-ram,size=512M,mem-path=/dev/hugepages,share=on,prealloc=on
      -fsdev local,id=fs0,path=/run/pv/p1/shared,security_model=none,multidevs=remap
      -device virtio-9p-pci,fsdev=fs0,mount_tag=kataShared
      -fsdev local,id=fs1,path=/data/with,,comma,security_model=none,multidevs=remap,readonly=on
      -device virtio-9p-pci,fsdev=fs1,mount_tag=a-very-long-volume-tag-of-31-ch
      -drive file=/g/image.erofs,if=none,id=image,format=raw,readonly=on
      -device virtio-blk-pci,drive=image
      -device virtio-serial-pci,id=vser0
      -chardev socket,id=port0,path=/run/pv/p1/agent.channel.0.sock,server=on,wait=off
      -device virtserialport,bus=vser0.0,chardev=port0,name=agent.channel.0,id=port0dev
      -chardev socket,id=console,path=/run/pv/p1/console.sock,server=on,wait=off,logfile=/run/pv/p1/console.log
      -serial chardev:console
      -rtc base=utc,driftfix=slew
      -vga none
      -no-user-config
      -nodefaults
      -display none
      -no-reboot
      -overcommit mem-lock=on
      -kernel /g/vmlinux
      -initrd /g/initrd.img
      -append console=ttyS0 panic=1 no_timer_check rcupdate.rcu_expedited=1 cryptomgr.notests i8042.direct=1 i8042.dumbkbd=1 i8042.nopnp=1 i8042.noaux=1 net.ifnames=0 pci=lastbus=0 iommu=off debug podvisor.node_flags=--no-sparkplug podvisor.hostname=web-1 systemd.unit=rescue nosmt
      -bios /fw/bios.bin
      -smp 2,cores=1,threads=1,sockets=4,maxcpus=4
      -no-hpet
      -k en-us
      "
    `);
  });

  it('turns contributed NICs into netdevs: a tap by name, macvtap queues as fds, multiqueue, the CNI MTU', () => {
    const nics: LaunchDevice[] = [
      { kind: 'nic', id: 'net0', mac: '0a:58:0a:d1:00:05', mtu: 1500, queues: 1, backend: { type: 'tap', ifname: 'tap0_pv' } },
      { kind: 'nic', id: 'net1', mac: '0a:58:0a:d1:00:06', mtu: 1450, queues: 2, backend: { type: 'fds', fds: [3, 4] } },
    ];
    const lines = optionLines(buildQemuArgs(launch({ devices: [AGENT_PORT, ...nics] }))).split('\n');
    expect(lines.filter((l) => /^-(netdev|device virtio-net)/.test(l))).toEqual([
      '-netdev tap,id=net0,ifname=tap0_pv,script=no,downscript=no',
      '-device virtio-net-pci,netdev=net0,mac=0a:58:0a:d1:00:05',
      '-netdev tap,id=net1,fds=3:4',
      '-device virtio-net-pci,netdev=net1,mac=0a:58:0a:d1:00:06,mq=on,vectors=6,host_mtu=1450',
    ]);
    // No serial port contributed, no virtio-serial controller.
    expect(buildQemuArgs(launch({ devices: nics })).join(' ')).not.toContain('virtio-serial-pci');
  });

  it('gives a socket port a listening socket and a file-backed port the pipe chardev (its .in FIFO and .out file)', () => {
    const ports: LaunchDevice[] = [
      { kind: 'serialPort', name: 'sh.hyper.channel.0', socketPath: '/run/pv/p1/sh.hyper.channel.0.sock' },
      { kind: 'serialPort', name: 'sh.hyper.channel.1', backend: 'file', pipePath: '/run/pv/p1/sh.hyper.channel.1', outputPath: '/run/pv/p1/sh.hyper.channel.1.out', inputPath: '/run/pv/p1/sh.hyper.channel.1.in' },
    ];
    const lines = optionLines(buildQemuArgs(launch({ devices: ports }))).split('\n');
    expect(lines.filter((l) => /^-(chardev (socket|pipe),id=port|device virtio-serial|device virtserial)/.test(l))).toEqual([
      '-device virtio-serial-pci,id=vser0',
      '-chardev socket,id=port0,path=/run/pv/p1/sh.hyper.channel.0.sock,server=on,wait=off',
      '-device virtserialport,bus=vser0.0,chardev=port0,name=sh.hyper.channel.0,id=port0dev',
      '-chardev pipe,id=port1,path=/run/pv/p1/sh.hyper.channel.1',
      '-device virtserialport,bus=vser0.0,chardev=port1,name=sh.hyper.channel.1,id=port1dev',
    ]);
  });

  it('uses plain -mem-prealloc without huge pages, and ignores mlock without realtime', () => {
    const args = buildQemuArgs(launch({}, { memPrealloc: true, hugePages: true, mlock: true }));
    expect(args).toContain('-mem-prealloc');
    expect(args.join(' ')).not.toContain('memory-backend');
    expect(args).not.toContain('-overcommit');
  });
});

describe('buildQemuArgs with virtio-fs', () => {
  const volume: LaunchDevice = { kind: 'share', tag: 'data', hostPath: '/srv/data', readOnly: true, fs: 'virtio-9p' };

  it('backs guest RAM with a shared memfd and connects each virtio-fs share to its virtiofsd; 9p shares stay as they were', () => {
    const memoryOrShare = /^-(machine|m|object|fsdev) |^-chardev socket,id=fs\d|^-device (vhost-user-fs|virtio-9p)-pci/;
    const lines = optionLines(buildQemuArgs(launch({ devices: [AGENT_PORT, SHARED_VIRTIOFS, volume] }))).split('\n');
    expect(lines.filter((l) => memoryOrShare.test(l))).toMatchInlineSnapshot(`
      [
        "-machine pc,memory-backend=pod-ram",
        "-m 256M",
        "-object memory-backend-memfd,id=pod-ram,size=256M,share=on",
        "-chardev socket,id=fs0,path=/run/pv/p1/vfs0.sock",
        "-device vhost-user-fs-pci,chardev=fs0,tag=kataShared,queue-size=1024",
        "-fsdev local,id=fs1,path=/srv/data,security_model=none,multidevs=remap,readonly=on",
        "-device virtio-9p-pci,fsdev=fs1,mount_tag=data",
      ]
    `);
    // Everything else is the 9p pod's command line.
    const ninep = optionLines(buildQemuArgs(launch({ devices: [AGENT_PORT, SHARED, volume] }))).split('\n');
    expect(lines.filter((l) => !memoryOrShare.test(l))).toEqual(ninep.filter((l) => !memoryOrShare.test(l)));
  });

  it('preallocates on the memfd itself, and keeps the hugetlbfs file backend (already shared) when huge pages are on', () => {
    const memfd = buildQemuArgs(launch({ devices: [SHARED_VIRTIOFS] }, { memPrealloc: true }));
    expect(memfd).toContain('memory-backend-memfd,id=pod-ram,size=256M,share=on,prealloc=on');
    expect(memfd).not.toContain('-mem-prealloc');
    const huge = buildQemuArgs(launch({ devices: [SHARED_VIRTIOFS], hugetlbfsPath: '/dev/hugepages' }, { hugePages: true }));
    expect(huge).toContain('memory-backend-file,id=pod-ram,size=256M,mem-path=/dev/hugepages,share=on');
    expect(huge.join(' ')).not.toContain('memfd');
  });
});

describe('escapeOptionValue', () => {
  it('doubles commas, which QEMU reads as option separators', () => {
    expect(escapeOptionValue('/a,b,,c')).toBe('/a,,b,,,,c');
  });
});

// Templates (qemu/template.ts): RAM from the template's file, shared for the template and private
// for a clone, a vmgenid per VM, the clone waiting for its state; everything else as a cold boot
// has it, so that the device layouts match.
describe('template and clone command lines', () => {
  const GUID_A = '11111111-1111-4111-8111-111111111111';
  const GUID_B = '22222222-2222-4222-8222-222222222222';
  it('differ from a cold boot only in the RAM backend, the vmgenid and -incoming', () => {
    const cold = buildQemuArgs(launch());
    const template = buildQemuArgs(launch({ template: { memPath: '/t/k/ram', role: 'template', vmgenid: GUID_A } }));
    const clone = buildQemuArgs(launch({ template: { memPath: '/t/k/ram', role: 'clone', vmgenid: GUID_B } }));
    expect(template.filter((a) => !cold.includes(a))).toEqual([
      'pc,memory-backend=pod-ram',
      '-object',
      'memory-backend-file,id=pod-ram,size=256M,mem-path=/t/k/ram,share=on',
      `vmgenid,guid=${GUID_A}`,
    ]);
    expect(clone.filter((a) => !template.includes(a))).toEqual(['memory-backend-file,id=pod-ram,size=256M,mem-path=/t/k/ram,share=off', `vmgenid,guid=${GUID_B}`, '-incoming', 'defer']);
    // The same options in the same order: only the values above differ.
    expect(clone.filter((a) => a.startsWith('-') && a !== '-incoming')).toEqual(template.filter((a) => a.startsWith('-')));
  });
});
