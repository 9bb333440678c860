/// The body of `POST /v2/droplets/{id}/actions`.
public enum DropletActionRequest: Sendable, Hashable, Encodable {
    /// Takes a snapshot image of the droplet (the droplet keeps running).
    case snapshot(name: String?)
    /// Hard power off.
    case powerOff
    case powerOn
    /// Graceful shutdown: issued, not guaranteed; follow with `powerOff` after a timeout.
    case shutdown
    case reboot
    case powerCycle
    /// Resizes a powered-off droplet; `disk: true` grows the disk permanently.
    case resize(size: String, disk: Bool)
    /// Reinstalls the droplet from an image.
    case rebuild(image: ImageReference)
    case rename(name: String)

    /// The action `type` DigitalOcean reports.
    public var type: String {
        switch self {
        case .snapshot: "snapshot"
        case .powerOff: "power_off"
        case .powerOn: "power_on"
        case .shutdown: "shutdown"
        case .reboot: "reboot"
        case .powerCycle: "power_cycle"
        case .resize: "resize"
        case .rebuild: "rebuild"
        case .rename: "rename"
        }
    }

    private enum CodingKeys: String, CodingKey { case type, name, size, disk, image }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        switch self {
        case .snapshot(let name): try container.encodeIfPresent(name, forKey: .name)
        case .resize(let size, let disk):
            try container.encode(size, forKey: .size)
            try container.encode(disk, forKey: .disk)
        case .rebuild(let image): try container.encode(image, forKey: .image)
        case .rename(let name): try container.encode(name, forKey: .name)
        case .powerOff, .powerOn, .shutdown, .reboot, .powerCycle: break
        }
    }
}
