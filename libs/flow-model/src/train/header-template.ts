/**
 * The header template of a flow direction (issue 4: "a header template (addresses, ports,
 * MACs, TTL)"): the bytes from the Ethernet header to the end of the transport header of
 * one real packet, normalised so the native engine can send it on an Ethernet port:
 * - Ethernet captures keep their MACs and VLAN tags; other link types (Linux SLL, raw IP,
 *   loopback) get locally administered MACs 02:00:<last 4 address bytes>;
 * - tunnels (GRE, IP-in-IP) are dropped: the template is the innermost IP header, which is
 *   what the flow is keyed on;
 * - IPv4 fragment offset and "more fragments" are cleared (the generated packet is whole).
 */
export const LINKTYPE_ETHERNET = 1;
const VLAN_ETHERTYPES = new Set([0x8100, 0x88a8, 0x9100]);

export interface HeaderTemplate {
  bytes: Uint8Array;
  l3Offset: number;
  l4Offset: number;
}

/** Length of the transport header at l4 for the protocols Memoco synthesises (TCP options included). */
function transportHeaderLength(data: Uint8Array, l4: number, end: number, proto: number): number {
  if (proto === 6) return l4 + 12 < end ? Math.max(20, (data[l4 + 12]! >>> 4) * 4) : 20;
  if (proto === 17 || proto === 1 || proto === 58) return 8;
  return 0;
}

/** VLAN tags between the MACs and the IP header of an Ethernet capture (0 for other link types). */
function vlanTags(data: Uint8Array, start: number, linkType: number, l3: number): number {
  if (linkType !== LINKTYPE_ETHERNET || l3 < 14) return 0;
  let tags = 0;
  for (let at = start + 12; at + 6 <= start + l3 && VLAN_ETHERTYPES.has((data[at]! << 8) | data[at + 1]!); at += 4) tags++;
  return tags;
}

/** Writes the Ethernet header (MACs, tags, ethertype) of the template into out[0 ..). */
function writeEthernet(out: Uint8Array, data: Uint8Array, start: number, linkType: number, l3: number, ipVersion: number, tags: number): void {
  if (linkType === LINKTYPE_ETHERNET && l3 >= 14) {
    for (let i = 0; i < 12 + tags * 4; i++) out[i] = data[start + i]!;
  } else {
    // dst MAC then src MAC, 02:00 followed by the last four bytes of the IP address.
    const ip = start + l3;
    const srcEnd = ipVersion === 4 ? ip + 16 : ip + 24;
    const dstEnd = ipVersion === 4 ? ip + 20 : ip + 40;
    out[0] = 0x02;
    out[6] = 0x02;
    for (let i = 0; i < 4; i++) {
      out[2 + i] = data[dstEnd - 4 + i]!;
      out[8 + i] = data[srcEnd - 4 + i]!;
    }
  }
  const ethertype = ipVersion === 4 ? 0x0800 : 0x86dd;
  out[12 + tags * 4] = ethertype >>> 8;
  out[13 + tags * 4] = ethertype & 0xff;
}

/**
 * Captures a template from packet bytes data[start .. start+capLen) whose innermost IP header
 * is at l3 and transport header at l4 (0 when absent), both relative to `start`.
 */
export function captureTemplate(data: Uint8Array, start: number, capLen: number, linkType: number, ipVersion: number, proto: number, l3: number, l4: number): HeaderTemplate {
  const end = start + capLen;
  const ipHeaderEnd = ipVersion === 4 ? l3 + (data[start + l3]! & 0x0f) * 4 : l3 + 40;
  const l4Start = l4 > 0 ? l4 : ipHeaderEnd;
  const l4Length = l4 > 0 ? transportHeaderLength(data, start + l4, end, proto) : 0;
  const copyEnd = Math.min(end, start + l4Start + l4Length);
  const tags = vlanTags(data, start, linkType, l3);
  const l3Offset = 14 + tags * 4;
  const bytes = new Uint8Array(l3Offset + (l4Start - l3) + l4Length);
  writeEthernet(bytes, data, start, linkType, l3, ipVersion, tags);
  for (let from = start + l3, to = l3Offset; from < copyEnd; from++, to++) bytes[to] = data[from]!;
  if (ipVersion === 4) {
    bytes[l3Offset + 6] = bytes[l3Offset + 6]! & 0x40;
    bytes[l3Offset + 7] = 0;
  }
  return { bytes, l3Offset, l4Offset: l3Offset + (l4Start - l3) };
}
